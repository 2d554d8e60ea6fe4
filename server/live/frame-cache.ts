import type { OutgoingFrame } from './live-connection.ts';

/**
 * Frames shared between sockets, by a key that fixes their content, the oldest dropped past
 * `capacity`. A server whose entries frame is fixed by (epoch, scope set, from, through) builds
 * it (one cursor signature, one JSON encoding) once per publish, not once per socket.
 */
export class FrameCache {
  private readonly frames = new Map<string, OutgoingFrame>();
  private readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get(key: string, build: () => OutgoingFrame): OutgoingFrame {
    const known = this.frames.get(key);
    if (known) return known;
    const frame = build();
    this.frames.set(key, frame);
    if (this.frames.size > this.capacity) {
      const oldest = this.frames.keys().next();
      if (!oldest.done) this.frames.delete(oldest.value);
    }
    return frame;
  }
}
