/*
 * A Bloom filter of the opIds the journal holds: `mightHold` false means the op is certainly new,
 * so the engine skips the journal read for it. That read is cheap inside SQLite but, outside a
 * transaction on a WAL database, each one takes and drops the shared-memory read lock with
 * fcntl calls, many times the read itself (decision 022).
 *
 * It never forgets (no false "new"): every opId is added before its commit, and a filter that
 * fills up gets a next, twice larger layer instead of degrading. A false "might hold" (about 1
 * in 100) only costs the read it would have cost anyway.
 */

const BITS_PER_ID = 10;
const HASHES = 7;
const FIRST_CAPACITY = 4096;

interface Layer {
  readonly bits: Uint32Array;
  readonly size: number;
  readonly capacity: number;
  count: number;
}

function layerOf(capacity: number): Layer {
  const size = Math.max(64, capacity * BITS_PER_ID);
  return { bits: new Uint32Array(Math.ceil(size / 32)), size, capacity, count: 0 };
}

/** Two independent 32-bit FNV-1a hashes of the id (double hashing gives the rest). */
function hashesOf(id: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ id.length;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a >>> 0, (b | 1) >>> 0];
}

export class OpIdFilter {
  private readonly layers: Layer[];

  /** A filter sized for `expected` ids (say, the journal's size at start) before it grows. */
  constructor(expected = 0) {
    this.layers = [layerOf(Math.max(FIRST_CAPACITY, expected * 2))];
  }

  add(id: string): void {
    let layer = this.layers.at(-1) as Layer;
    if (layer.count >= layer.capacity) {
      layer = layerOf(layer.capacity * 2);
      this.layers.push(layer);
    }
    const [a, b] = hashesOf(id);
    for (let i = 0; i < HASHES; i++) {
      const bit = (a + i * b) % layer.size;
      layer.bits[bit >>> 5] = (layer.bits[bit >>> 5] ?? 0) | (1 << (bit & 31));
    }
    layer.count++;
  }

  /** False: `id` was certainly never added. True: it may have been. */
  mightHold(id: string): boolean {
    const [a, b] = hashesOf(id);
    return this.layers.some((layer) => {
      for (let i = 0; i < HASHES; i++) {
        const bit = (a + i * b) % layer.size;
        if (((layer.bits[bit >>> 5] ?? 0) & (1 << (bit & 31))) === 0) return false;
      }
      return true;
    });
  }
}
