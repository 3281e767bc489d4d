/**
 * Text for a terminal's table: what a cell may not print as it is (control characters, which a
 * terminal obeys: an imported `ESC [2J` cleared the screen, an OSC set the window title), and
 * cutting and wrapping by display width, a whole character (grapheme: an emoji family, a flag, an
 * accented letter in NFD) at a time. Used by ui/table.ts only, never for CSV or JSON.
 */

/**
 * C0 controls but the line break, DEL, C1 controls, and the bidirectional overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069: they reorder the rest of the line); the zero-width space
 * (U+200B), which terminals draw in no cell while table layout counts one.
 */
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b\u202a-\u202e\u2066-\u2069]/g;

/** A cell's text with what a terminal would obey made visible: `^[` for ESC, `<U+202E>`; a tab as a space. */
export function terminalSafe(text: string): string {
  if (!UNSAFE.test(text)) return text;
  UNSAFE.lastIndex = 0;
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\t') return ' ';
    if (code === 0x200b) return '';
    if (code < 0x20) return `^${String.fromCharCode(code + 64)}`;
    if (code === 0x7f) return '^?';
    return `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
  });
}

let segmenter: Intl.Segmenter | null = null;

function* graphemes(text: string): Generator<string> {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  for (const { segment } of segmenter.segment(text)) yield segment;
}

/** East Asian wide and fullwidth code points (as is-fullwidth-code-point): two columns each. */
function isWide(code: number): boolean {
  return (
    code >= 0x1100 &&
    (code <= 0x115f ||
      code === 0x2329 ||
      code === 0x232a ||
      (code >= 0x2e80 && code <= 0x3247 && code !== 0x303f) ||
      (code >= 0x3250 && code <= 0x4dbf) ||
      (code >= 0x4e00 && code <= 0xa4c6) ||
      (code >= 0xa960 && code <= 0xa97c) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe10 && code <= 0xfe19) ||
      (code >= 0xfe30 && code <= 0xfe6b) ||
      (code >= 0xff01 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6) ||
      (code >= 0x1b000 && code <= 0x1b001) ||
      (code >= 0x1f200 && code <= 0x1f251) ||
      (code >= 0x20000 && code <= 0x3fffd))
  );
}

const PLAIN = /^[\u0020-\u007e]*$/;
/** Drawn two columns wide: emoji shown as emoji (by default, or asked for with U+FE0F) and flags; ♥ ✔ ™ ☺ are one. */
const EMOJI = /\p{Emoji_Presentation}|\uFE0F|\p{Regional_Indicator}/u;
const ZERO_WIDTH = /^(?:\p{M}|\p{Cf}|[\u200b\ufe00-\ufe0f])+$/u;

/** Columns one grapheme takes: an emoji (with its joiners and modifiers) or a wide character two, a mark alone none. */
function graphemeWidth(g: string): number {
  if (g.length === 1) {
    const code = g.charCodeAt(0);
    if (code < 0x300) return code < 0x20 || (code >= 0x7f && code < 0xa0) ? 0 : 1;
  }
  if (ZERO_WIDTH.test(g)) return 0;
  if (EMOJI.test(g)) return 2;
  return isWide(g.codePointAt(0)!) ? 2 : 1;
}

/** Columns a text takes in a terminal (wide CJK and emoji two, combining marks none); the widest line of several. */
export function displayWidth(text: string): number {
  if (PLAIN.test(text)) return text.length;
  let widest = 0;
  let line = 0;
  for (const g of graphemes(text)) {
    if (g === '\n' || g === '\r\n') {
      widest = Math.max(widest, line);
      line = 0;
    } else line += graphemeWidth(g);
  }
  return Math.max(widest, line);
}

/** The text cut to at most `width` columns, ending in `…` when cut; whole graphemes only. */
export function truncateToWidth(text: string, width: number): string {
  if (PLAIN.test(text)) return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
  if (displayWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const g of graphemes(text)) {
    const w = graphemeWidth(g);
    if (used + w > width - 1) break;
    out += g;
    used += w;
  }
  return `${out}…`;
}

/**
 * The text wrapped to lines of at most `width` columns: at spaces where a line has one, else
 * within a word (CJK has no spaces), a whole grapheme at a time. Line breaks in the text stay.
 * Linear in the text's length (cli-table3's own wrap of a 3,000-character CJK note took a minute).
 */
export function wrapToWidth(text: string, width: number): string {
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    let lineWidth = 0;
    /** Where the line's last space ends: a break there moves the rest to the next line. */
    let lastSpace = -1;
    let widthAtSpace = 0;
    for (const g of graphemes(paragraph)) {
      const w = graphemeWidth(g);
      if (lineWidth + w > width && line !== '') {
        if (g === ' ') {
          out.push(line);
          line = '';
          lineWidth = 0;
          lastSpace = -1;
          continue;
        }
        // at the line's last space (not one it starts with: that made an empty line), when what
        // follows the space leaves room for this character; else right here
        if (lastSpace > 1 && lineWidth - widthAtSpace + w <= width) {
          out.push(line.slice(0, lastSpace - 1));
          line = line.slice(lastSpace);
          lineWidth -= widthAtSpace;
        } else {
          out.push(line);
          line = '';
          lineWidth = 0;
        }
        lastSpace = -1;
      }
      line += g;
      lineWidth += w;
      if (g === ' ') {
        lastSpace = line.length;
        widthAtSpace = lineWidth;
      }
    }
    out.push(line);
  }
  return out.join('\n');
}
