import { css } from 'lit';

/**
 * What the guest components share: readable colours (the page's custom properties, all at
 * least 4.5:1 on their backgrounds), touch targets of at least 44 × 44 px, a visible focus ring.
 */
export const guestStyles = css`
  :host {
    display: block;
    color: var(--hearth-fg, #231411);
  }
  button,
  input,
  textarea {
    font: inherit;
  }
  button {
    min-height: 44px;
    min-width: 44px;
    padding: 0.5rem 0.9rem;
    border-radius: var(--hearth-radius, 0.5rem);
    border: 1px solid var(--hearth-muted, #6b5a55);
    background: var(--hearth-surface, #fff);
    color: var(--hearth-fg, #231411);
    cursor: pointer;
    touch-action: manipulation;
  }
  button.primary {
    background: var(--hearth-accent, #3e1e18);
    border-color: var(--hearth-accent, #3e1e18);
    color: #fff;
    font-weight: 600;
  }
  button[disabled] {
    cursor: not-allowed;
    background: #ece6e2;
    border-color: #ece6e2;
    color: #5c4d48;
  }
  :focus-visible {
    outline: 3px solid #1a5fb4;
    outline-offset: 2px;
  }
  h2,
  h3 {
    margin: 0;
    line-height: 1.25;
  }
  h2 {
    font-size: 1.2rem;
  }
  h3 {
    font-size: 1.05rem;
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .muted {
    color: var(--hearth-muted, #6b5a55);
  }
  .problem {
    color: var(--hearth-bad, #a12a1b);
    font-weight: 600;
  }
  .stepper {
    display: inline-flex;
    align-items: center;
    gap: 0.25rem;
  }
  .stepper .count {
    min-width: 2ch;
    text-align: center;
    font-weight: 600;
    font-variant-numeric: tabular-nums;
  }
  .stepper button {
    padding: 0;
    font-size: 1.25rem;
    line-height: 1;
  }
`;
