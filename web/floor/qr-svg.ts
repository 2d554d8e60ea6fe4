/** Renders `text` as a QR code, an SVG string. */
export type RenderSvg = (text: string) => string;

const loaded = new Map<string, Promise<RenderSvg>>();

/**
 * The QR library (uqr), loaded on first use, never in a page's first paint; one renderer per
 * error-correction level. M survives a smudged or creased printed card; L suits a lit screen,
 * where fewer modules are bigger ones for a camera. A failed load (offline before the chunk was
 * cached) may be tried again.
 */
export function loadQr(ecc: 'L' | 'M'): Promise<RenderSvg> {
  let library = loaded.get(ecc);
  if (!library) {
    library = import('uqr').then(
      ({ renderSVG }) =>
        (text) =>
          renderSVG(text, { ecc, border: 2 }),
    );
    loaded.set(ecc, library);
    library.catch(() => loaded.delete(ecc));
  }
  return library;
}
