/**
 * A `--rejects` file, written as its source was: the rows an import rejected, to fix and import
 * again. Its own module: it encodes with iconv-lite, which a command that only reads (every one
 * that opens the customer file, through files.ts) must not load.
 */
import fs from 'node:fs';
import iconv from 'iconv-lite';
import { fileError, refuseOverwrite } from './files.js';
import { canonicalEncoding } from './sniff.js';

/** How a rejects file is written: as its source was (encoding, BOM and `sep=` line, line break). */
export interface RejectsStyle {
  /** An encoding iconv-lite knows (utf8 for UTF-8). */
  encoding: string;
  eol: string;
  /** Text before the header: a BOM, Excel's `sep=;` line. */
  preamble: string;
}

export const PLAIN_REJECTS: RejectsStyle = { encoding: 'utf8', eol: '\n', preamble: '' };

/** A CSV's rejects file: its encoding, BOM, `sep=` line and line break. */
export function csvRejectsStyle(
  sniffed: { encoding: string; bom: boolean; sepLine: boolean; datevLine: string | null; delimiter: string },
  eol: string,
): RejectsStyle {
  const firstLine = sniffed.sepLine ? `sep=${sniffed.delimiter}${eol}` : sniffed.datevLine !== null ? `${sniffed.datevLine}${eol}` : '';
  return { encoding: sniffed.encoding, eol, preamble: `${sniffed.bom ? '\ufeff' : ''}${firstLine}` };
}


/** A vCard file's rejects file: a card's text brings its own line breaks (io/vcard.ts vcardEntries). */
export function vcardRejectsStyle(decoded: { encoding: string; bom: boolean }): RejectsStyle {
  return { encoding: decoded.encoding, eol: '', preamble: decoded.bom ? '\ufeff' : '' };
}

/** A text file written synchronously, line by line, in an encoding (rejects files are small). */
class TextFileWriter {
  private fd: number;
  constructor(readonly file: string) {
    try {
      this.fd = fs.openSync(file, 'w', 0o600);
    } catch (err) {
      throw fileError(file, err, 'written');
    }
  }

  write(text: string, encoding: string): void {
    const utf8 = canonicalEncoding(encoding) === 'utf8';
    fs.writeSync(this.fd, utf8 ? Buffer.from(text, 'utf8') : iconv.encode(text, encoding));
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/**
 * A `--rejects` file: the source's header, then each rejected record as it was read (in the
 * source's encoding and line break, after its BOM and `sep=` line). Opened on the first
 * rejection; `finish()` makes it even when there was none, so that a stale file of an earlier
 * run is not taken for this one's.
 */
export class RejectsFile {
  private writer: TextFileWriter | null = null;
  private eol = '\n';
  /**
   * `header`: the source's header line as read, once it is known (null: none, as in vCard).
   * `reads`: the files the import reads (its input, the customer file): never written over.
   * `style`: how the source is written, asked when the file is opened (after the header).
   */
  constructor(
    private readonly file: string,
    private readonly header: () => string | null,
    reads: { file: string; what: string }[],
    private readonly style: () => RejectsStyle,
  ) {
    refuseOverwrite(file, '--rejects', reads);
  }

  add(raw: string): void {
    // the encoding is asked each time: a file read as UTF-8 may turn out to be Windows-1252 later
    // (io/sniff.ts), and everything written before that was ASCII, the same in both
    this.open().write(`${raw}${this.eol}`, this.style().encoding);
  }

  finish(): void {
    this.open();
  }

  close(): void {
    this.writer?.close();
  }

  private open(): TextFileWriter {
    if (this.writer === null) {
      const style = this.style();
      this.eol = style.eol;
      this.writer = new TextFileWriter(this.file);
      const header = this.header();
      const start = `${style.preamble}${header !== null ? `${header}${this.eol}` : ''}`;
      if (start !== '') this.writer.write(start, style.encoding);
    }
    return this.writer;
  }
}

