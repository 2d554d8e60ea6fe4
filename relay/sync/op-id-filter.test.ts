import { describe, expect, it } from 'vitest';
import { newUlid } from '#protocol';
import { OpIdFilter } from './op-id-filter.ts';

describe('OpIdFilter', () => {
  it('holds every id added, however far it grows past its first size', () => {
    const filter = new OpIdFilter();
    const ids = Array.from({ length: 50_000 }, () => newUlid());
    for (const id of ids) filter.add(id);
    expect(ids.every((id) => filter.mightHold(id))).toBe(true);
  });

  it('says "new" for nearly every id never added (false positives about 1%)', () => {
    const filter = new OpIdFilter(20_000);
    for (let i = 0; i < 20_000; i++) filter.add(newUlid());
    const strangers = Array.from({ length: 20_000 }, () => newUlid());
    const maybe = strangers.filter((id) => filter.mightHold(id)).length;
    expect(maybe).toBeLessThan(20_000 * 0.03);
  });

  it('starts empty, and tells ids apart that differ in one character', () => {
    const filter = new OpIdFilter();
    expect(filter.mightHold('01JD0000000000000000000001')).toBe(false);
    filter.add('01JD0000000000000000000001');
    expect(filter.mightHold('01JD0000000000000000000001')).toBe(true);
    expect(filter.mightHold('01JD0000000000000000000002')).toBe(false);
    expect(filter.mightHold('')).toBe(false);
  });
});
