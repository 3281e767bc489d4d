/**
 * A streaming zip archive, just what an .xlsx needs: a few small parts stored as they are, then
 * one large part deflated as it is produced, straight to the target stream (a file or stdout;
 * nothing is held in memory or seeks back). Node's own zlib deflates on its thread pool, so on
 * two cores the deflating runs beside the code that produces the XML, and `zlib.crc32`
 * (Node ≥ 20.15) gives the checksum.
 *
 * Why not a library: exceljs's archiver is only a dependency of exceljs, and fflate deflates in
 * JavaScript on the main thread, i.e. it would compete with the XML producer for the same core.
 * The format is small: local headers, one data descriptor, the central directory (APPNOTE 6.3).
 * No ZIP64: an archive that would pass 4 GiB is refused (1,048,576 rows of customers are ~1 GiB).
 */
import type { Writable } from 'node:stream';
import zlib from 'node:zlib';
import { FileError } from '../errors.js';

const LOCAL_HEADER = 0x04034b50;
const DATA_DESCRIPTOR = 0x08074b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL = 0x06054b50;
const ZIP32_MAX = 0xffffffff;
/** General purpose flag bit 3: crc and sizes follow the data. */
const FLAG_DESCRIPTOR = 0x0008;
const STORED = 0;
const DEFLATED = 8;

interface Entry {
  name: Buffer;
  flags: number;
  method: number;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

/** An open deflated entry: `write` its bytes in order, then `close` it. */
export interface ZipEntryStream {
  write(data: Buffer): Promise<void>;
  close(): Promise<void>;
}

export class ZipWriter {
  private readonly entries: Entry[] = [];
  private offset = 0;
  private failure: Error | null = null;
  private readonly dosTime: number;
  private readonly dosDate: number;

  /** `label` names the target in error messages ("out.xlsx", "standard output"). */
  constructor(
    private readonly target: Writable,
    private readonly label: string,
    modified = new Date(),
  ) {
    // kept for good: an error after the last write still must not be an unhandled 'error' event
    target.on('error', (err: Error) => {
      this.failure ??= err;
    });
    this.dosTime = (modified.getHours() << 11) | (modified.getMinutes() << 5) | (modified.getSeconds() >> 1);
    this.dosDate = ((Math.max(1980, modified.getFullYear()) - 1980) << 9) | ((modified.getMonth() + 1) << 5) | modified.getDate();
  }

  /** A small part, stored uncompressed with its sizes in the local header. */
  async addFile(name: string, content: string | Buffer): Promise<void> {
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const entry: Entry = { name: Buffer.from(name, 'utf8'), flags: 0, method: STORED, crc: zlib.crc32(data), compressed: data.length, size: data.length, offset: this.offset };
    this.entries.push(entry);
    await this.push(Buffer.concat([this.localHeader(entry), data]));
  }

  /**
   * A large part, deflated as it comes. Its compressed bytes go to the target as zlib makes them;
   * `write` resolves once there is room for more, so memory stays flat however large the part.
   */
  async openEntry(name: string, level = zlib.constants.Z_BEST_SPEED): Promise<ZipEntryStream> {
    const entry: Entry = { name: Buffer.from(name, 'utf8'), flags: FLAG_DESCRIPTOR, method: DEFLATED, crc: 0, compressed: 0, size: 0, offset: this.offset };
    this.entries.push(entry);
    await this.push(this.localHeader(entry));
    // Larger buffers than zlib's 16 KiB defaults let the producer build the next chunk while the
    // thread pool deflates the previous one: zlib hands back one output buffer per round trip
    // through the main thread, and with 16 KiB a busy main thread left it waiting most of the time.
    const deflate = zlib.createDeflateRaw({ level, chunkSize: 512 * 1024, writableHighWaterMark: 2 << 20 } as zlib.ZlibOptions);
    deflate.on('data', (chunk: Buffer) => {
      entry.compressed += chunk.length;
      this.offset += chunk.length;
      this.target.write(chunk);
    });
    deflate.once('error', (err: Error) => {
      this.failure ??= err;
    });
    const zip = this;
    return {
      async write(data: Buffer): Promise<void> {
        try {
          zip.check();
          entry.crc = zlib.crc32(data, entry.crc);
          entry.size += data.length;
          if (entry.size > ZIP32_MAX) throw zip.tooLarge();
          deflate.write(data);
          // wait for the file as well as for zlib: compressed bytes must not pile up in memory
          // (each asked afresh: an event that came while waiting for the other is not missed)
          if (zip.target.writableNeedDrain) await zip.until(zip.target, 'drain');
          if (deflate.writableNeedDrain) await zip.until(deflate, 'drain');
          else await new Promise<void>((resolve) => setImmediate(resolve));
          zip.check();
        } catch (err) {
          deflate.destroy();
          throw err;
        }
      },
      async close(): Promise<void> {
        try {
          zip.check();
          const ended = zip.until(deflate, 'end');
          deflate.end();
          await ended;
          zip.check();
        } catch (err) {
          deflate.destroy();
          throw err;
        }
        const descriptor = Buffer.alloc(16);
        descriptor.writeUInt32LE(DATA_DESCRIPTOR, 0);
        descriptor.writeUInt32LE(entry.crc >>> 0, 4);
        descriptor.writeUInt32LE(entry.compressed, 8);
        descriptor.writeUInt32LE(entry.size, 12);
        await zip.push(descriptor);
      },
    };
  }

  /** Writes the central directory. The target is left open: its owner ends it. */
  async finish(): Promise<void> {
    const start = this.offset;
    const parts: Buffer[] = [];
    for (const e of this.entries) {
      const h = Buffer.alloc(46);
      h.writeUInt32LE(CENTRAL_HEADER, 0);
      h.writeUInt16LE(20, 4); // made by: version 2.0
      h.writeUInt16LE(20, 6); // needed to extract: 2.0 (deflate)
      h.writeUInt16LE(e.flags, 8);
      h.writeUInt16LE(e.method, 10);
      h.writeUInt16LE(this.dosTime, 12);
      h.writeUInt16LE(this.dosDate, 14);
      h.writeUInt32LE(e.crc >>> 0, 16);
      h.writeUInt32LE(e.compressed, 20);
      h.writeUInt32LE(e.size, 24);
      h.writeUInt16LE(e.name.length, 28);
      // extra, comment, disk number, internal and external attributes: 0
      h.writeUInt32LE(e.offset, 42);
      parts.push(h, e.name);
    }
    const directory = Buffer.concat(parts);
    if (start + directory.length > ZIP32_MAX) throw this.tooLarge();
    const end = Buffer.alloc(22);
    end.writeUInt32LE(END_OF_CENTRAL, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(start, 16);
    await this.push(Buffer.concat([directory, end]));
  }

  private localHeader(e: Entry): Buffer {
    const h = Buffer.alloc(30);
    h.writeUInt32LE(LOCAL_HEADER, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(e.flags, 6);
    h.writeUInt16LE(e.method, 8);
    h.writeUInt16LE(this.dosTime, 10);
    h.writeUInt16LE(this.dosDate, 12);
    // with a data descriptor, crc and sizes here stay 0
    if (!(e.flags & FLAG_DESCRIPTOR)) {
      h.writeUInt32LE(e.crc >>> 0, 14);
      h.writeUInt32LE(e.compressed, 18);
      h.writeUInt32LE(e.size, 22);
    }
    h.writeUInt16LE(e.name.length, 26);
    return Buffer.concat([h, e.name]);
  }

  private async push(data: Buffer): Promise<void> {
    this.check();
    if (this.offset + data.length > ZIP32_MAX) throw this.tooLarge();
    this.offset += data.length;
    if (!this.target.write(data)) await this.until(this.target, 'drain');
    this.check();
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }

  private tooLarge(): Error {
    return new FileError(`${this.label} would be larger than 4 GiB, more than an xlsx file without ZIP64 can hold; it is incomplete. Narrow the selection or export CSV.`);
  }

  /** Resolves on `event` of `emitter`, or as soon as the target fails or closes (check() tells). */
  private until(emitter: NodeJS.EventEmitter, event: string): Promise<void> {
    return new Promise((resolve) => {
      if (this.failure) return resolve();
      const done = () => {
        emitter.off(event, done);
        emitter.off('error', done);
        this.target.off('close', done);
        this.target.off('error', done);
        resolve();
      };
      emitter.once(event, done);
      emitter.once('error', done);
      this.target.once('close', done);
      this.target.once('error', done);
    });
  }
}
