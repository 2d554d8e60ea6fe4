// A stylesheet imported as text (Vite's `?inline`; the browser tests serve it the same way),
// for adopting into a shadow root as a constructable stylesheet.
declare module '*.css?inline' {
  const css: string;
  export default css;
}
