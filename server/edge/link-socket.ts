// The control link between srf and the embedded edge inside one process (D-297): a net.Socket
// with no handle, whose writes cross a MessagePort to the other end instead of a loopback TCP
// connection. srf's wire protocol checks `instanceof net.Socket` and reads a byte stream, so
// each end is a socket; what crosses is the written text, and the reader gets the UTF-8 bytes a
// TCP socket would have carried. On the edge's own thread the port is the thread boundary: a
// message costs the sender about half a loopback TCP write, and the reader no read syscall.
import net from 'node:net';
import type { MessagePort } from 'node:worker_threads';

/** what crosses the port: written text or bytes, or the end of the writer's side */
type LinkMessage = string | Uint8Array | { end: true };

type Chunk = string | Buffer | Uint8Array;

export class LinkSocket extends net.Socket {
  constructor(private readonly port: MessagePort) {
    super();
    port.on('message', (m: LinkMessage) => {
      if (typeof m === 'string') this.push(Buffer.from(m, 'utf8'));
      else if (m instanceof Uint8Array) this.push(Buffer.from(m.buffer, m.byteOffset, m.byteLength));
      else this.push(null);
    });
    // the other end closed its port (its socket was destroyed, or its thread ended)
    port.once('close', () => this.destroy());
  }

  override _read(): void {
    // data is pushed as it arrives
  }

  override _write(chunk: Chunk, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.port.postMessage(typeof chunk === 'string' ? chunk : Uint8Array.from(chunk));
    callback();
  }

  override _writev(chunks: Array<{ chunk: Chunk; encoding: BufferEncoding }>, callback: (error?: Error | null) => void): void {
    // a turn's frames (corkPerTurn) cross as one message
    if (chunks.every((c) => typeof c.chunk === 'string')) this.port.postMessage(chunks.map((c) => c.chunk).join(''));
    else this.port.postMessage(Buffer.concat(chunks.map((c) => (typeof c.chunk === 'string' ? Buffer.from(c.chunk, 'utf8') : c.chunk))));
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.port.postMessage({ end: true } satisfies LinkMessage);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.port.close();
    callback(error);
    // net.Socket emits its own 'close' once its handle is closed; there is none here
    process.nextTick(() => this.emit('close', !!error));
  }
}
