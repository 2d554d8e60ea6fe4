import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { readJsonBody } from './read-json.ts';

function app(): Hono {
  const a = new Hono();
  a.post('/', async (c) => {
    const read = await readJsonBody(c);
    return read.ok ? c.json({ got: read.value }) : read.response;
  });
  return a;
}

const post = (body: string) => app().request('/', { method: 'POST', body });

describe('readJsonBody', () => {
  it('gives the parsed body', async () => {
    const res = await post('{"a":[1,2]}');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ got: { a: [1, 2] } });
  });

  it.each(['{"oops', '', '[[['])('answers %j with a 400 MALFORMED_JSON problem', async (text) => {
    const res = await post(text);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ code: 'MALFORMED_JSON', kind: 'fix_request' });
  });

  it("says so in its own words, never the parser's (no runtime name, no echo of the body)", async () => {
    const problem = (await (await post('pin=<script>')).json()) as { detail: string };
    expect(problem.detail).toBe('the body is not valid JSON');
  });

  it('throws what is not a parse error', async () => {
    const broken = { req: { text: () => Promise.reject(new TypeError('stream broke')) } };
    await expect(readJsonBody(broken)).rejects.toThrow('stream broke');
  });
});
