import { css } from 'lit';

// What the floor panels share: 44 px targets, a visible focus ring, words beside colour, and
// colours that keep 4.5:1 on the page's surface in a dim room (the theme's variables win).
export const floorStyles = css`
  :host {
    display: grid;
    gap: 0.75rem;
    color: var(--hearth-fg, #231411);
    font-size: 1rem;
    line-height: 1.4;
  }
  h2,
  h3 {
    margin: 0;
  }
  h2 {
    font-size: 1.15rem;
  }
  h3 {
    font-size: 1.05rem;
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 0.5rem;
  }
  button,
  select,
  input {
    font: inherit;
    min-height: 44px;
    min-width: 44px;
    box-sizing: border-box;
    border-radius: var(--hearth-radius, 0.5rem);
  }
  input,
  select {
    padding: 0.5rem 0.6rem;
    border: 2px solid var(--hearth-muted, #6b5a55);
    background: var(--hearth-surface, #fff);
    color: inherit;
  }
  button {
    padding: 0.5rem 1rem;
    font-weight: 600;
    border: 2px solid var(--hearth-accent, #3e1e18);
    background: var(--hearth-accent, #3e1e18);
    color: #fff;
    cursor: pointer;
  }
  button.secondary {
    background: var(--hearth-surface, #fff);
    color: var(--hearth-accent, #3e1e18);
  }
  button:focus-visible,
  select:focus-visible,
  input:focus-visible {
    outline: 3px solid var(--hearth-fg, #231411);
    outline-offset: 2px;
  }
  label {
    display: grid;
    gap: 0.25rem;
  }
  .card {
    display: grid;
    gap: 0.4rem;
    padding: 0.75rem;
    border: 2px solid var(--hearth-line, #8a7a75);
    border-radius: var(--hearth-radius, 0.5rem);
    background: var(--hearth-surface, #fff);
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }
  .muted {
    color: var(--hearth-muted, #5e4e49);
  }
  .sync {
    color: var(--hearth-warn-text, #6e4700);
  }
  .sync.failed,
  .error {
    color: var(--hearth-bad, #a12a1b);
    font-weight: 600;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
