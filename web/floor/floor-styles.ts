import { css } from 'lit';

// What the four floor panels share: dark and high-contrast for a dim dining room (the order
// pad's palette; every text ≥ 4.5:1 on its surface), 44 px targets, a visible focus ring, and
// words beside every colour.
export const floorStyles = css`
  :host {
    --floor-bg: #15110f;
    --floor-surface: #231d1a;
    --floor-raised: #322925;
    --floor-fg: #f5eeea;
    --floor-muted: #cbbdb6;
    --floor-line: #7a6a63;
    --floor-accent: #f0b35a;
    --floor-accent-fg: #1a1200;
    --floor-bad: #ff9d8a;
    --floor-warn: #ffd27a;
    --floor-ok: #9fe0a9;
    display: grid;
    gap: 0.75rem;
    padding: 0.75rem;
    border-radius: 0.5rem;
    background: var(--floor-bg);
    color: var(--floor-fg);
    color-scheme: dark;
    font-size: 1rem;
    line-height: 1.4;
  }
  h2,
  h3,
  h4 {
    margin: 0;
  }
  h2 {
    font-size: 1.2rem;
  }
  h3 {
    font-size: 1.05rem;
  }
  h4 {
    font-size: 1rem;
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
    border-radius: 0.5rem;
  }
  input,
  select {
    padding: 0.5rem 0.6rem;
    border: 2px solid var(--floor-line);
    background: #0e0b0a;
    color: var(--floor-fg);
  }
  button {
    padding: 0.5rem 1rem;
    font-weight: 700;
    border: 2px solid var(--floor-accent);
    background: var(--floor-accent);
    color: var(--floor-accent-fg);
    cursor: pointer;
  }
  button.secondary {
    background: var(--floor-raised);
    color: var(--floor-fg);
  }
  button:focus-visible,
  select:focus-visible,
  input:focus-visible {
    outline: 3px solid var(--floor-fg);
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
    border: 2px solid var(--floor-line);
    border-radius: 0.5rem;
    background: var(--floor-surface);
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }
  .muted {
    color: var(--floor-muted);
  }
  .sync {
    color: var(--floor-warn);
  }
  .sync.failed,
  .error {
    color: var(--floor-bad);
    font-weight: 700;
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
