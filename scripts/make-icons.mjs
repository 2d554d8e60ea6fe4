#!/usr/bin/env node
// Draws Hearth's app icons (a flame on a warm square) as PNGs with no image library:
// `node scripts/make-icons.mjs` writes web/public/icons/*.png. Run once; the PNGs are committed.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x / size, y / size);
      const o = y * (size * 4 + 1) + 1 + x * 4;
      raw[o] = r;
      raw[o + 1] = g;
      raw[o + 2] = b;
      raw[o + 3] = a;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
// A flame: a teardrop, wide at the bottom; the inner core lighter.
function flame(u, v, scale) {
  const cx = 0.5;
  const x = (u - cx) / scale;
  const y = (v - 0.55) / scale;
  // Narrower towards the top, so the teardrop ends in a tip.
  const w = y > 0 ? 1 : Math.max(0.05, 1 + y * 1.9);
  const body = (x / w) ** 2 * 9 + (y > 0 ? y * y * 9 : y * y * 2.2) < 1;
  const wc = y > 0.08 ? 1 : Math.max(0.05, 1 + (y - 0.08) * 3.2);
  const core = (x / wc) ** 2 * 36 + (y > 0.08 ? (y - 0.08) ** 2 * 40 : (y - 0.08) ** 2 * 7) < 1;
  return { body, core };
}
const paint = (scale, rounded) => (u, v) => {
  const inside =
    !rounded ||
    Math.hypot(Math.max(0, Math.abs(u - 0.5) - 0.38), Math.max(0, Math.abs(v - 0.5) - 0.38)) < 0.12;
  if (!inside) return [0, 0, 0, 0];
  const { body, core } = flame(u, v, scale);
  if (core) return [255, 214, 102, 255];
  if (body) return [244, 112, 36, 255];
  return [62, 30, 24, 255];
};
const out = 'web/public/icons';
writeFileSync(`${out}/icon-192.png`, png(192, paint(0.85, true)));
writeFileSync(`${out}/icon-512.png`, png(512, paint(0.85, true)));
// Maskable: full-bleed background, the flame inside the 80% safe zone.
writeFileSync(`${out}/icon-maskable-512.png`, png(512, paint(0.62, false)));
console.log('icons written to', out);
