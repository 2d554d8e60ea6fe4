import { css } from 'lit';

// The order pad's look: dark and high-contrast for a dim dining room, every control at least
// 44 × 44 px, two columns on a tablet (menu | order) and one on a phone.
export const orderPadStyles = css`
  :host {
    --pad-bg: #15110f;
    --pad-surface: #231d1a;
    --pad-raised: #322925;
    --pad-fg: #f5eeea;
    --pad-muted: #cbbdb6;
    --pad-accent: #f0b35a;
    --pad-accent-fg: #1a1200;
    --pad-bad: #ff9d8a;
    --pad-ok: #9fe0a9;
    display: block;
    background: var(--pad-bg);
    color: var(--pad-fg);
    font: 17px/1.4 system-ui, sans-serif;
    container-type: inline-size;
    color-scheme: dark;
    accent-color: var(--pad-accent);
  }
  * {
    box-sizing: border-box;
  }
  .layout {
    display: grid;
    gap: 12px;
    padding: 12px;
  }
  .side {
    display: grid;
    gap: 12px;
    align-content: start;
    min-width: 0;
  }
  @container (min-width: 720px) {
    .layout {
      grid-template-columns: minmax(0, 1.2fr) minmax(0, 1fr);
      align-items: start;
    }
  }
  section {
    display: grid;
    gap: 10px;
    padding: 12px;
    border-radius: 10px;
    background: var(--pad-surface);
    min-width: 0;
  }
  h2,
  h3 {
    margin: 0;
    font-size: 1.1rem;
  }
  p {
    margin: 0;
  }
  .muted {
    color: var(--pad-muted);
  }
  .problem {
    color: var(--pad-bad);
    font-weight: 600;
  }
  button,
  input,
  textarea {
    font: inherit;
    color: inherit;
    min-height: 44px;
    min-width: 44px;
    border-radius: 8px;
  }
  button {
    background: var(--pad-raised);
    border: 1px solid #5a4c46;
    padding: 8px 12px;
    cursor: pointer;
  }
  button[aria-pressed='true'],
  button.primary {
    background: var(--pad-accent);
    color: var(--pad-accent-fg);
    border-color: var(--pad-accent);
    font-weight: 700;
  }
  button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
  button:focus-visible,
  input:focus-visible,
  textarea:focus-visible,
  [role='option']:focus-visible {
    outline: 3px solid #fff;
    outline-offset: 2px;
  }
  input,
  textarea {
    background: #0e0b0a;
    border: 1px solid #7a6a63;
    padding: 8px 10px;
    width: 100%;
  }
  label {
    display: grid;
    gap: 4px;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
  }
  .tabs {
    display: flex;
    gap: 8px;
    overflow-x: auto;
    padding-bottom: 2px;
  }
  .tabs button {
    flex: none;
  }
  .dishes {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(150px, 1fr));
    gap: 8px;
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .dish {
    width: 100%;
    min-height: 64px;
    display: grid;
    text-align: start;
    gap: 2px;
  }
  .dish .price {
    color: var(--pad-muted);
  }
  .dish.out {
    text-decoration: line-through;
  }
  [role='listbox'] {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 4px;
  }
  [role='option'] {
    min-height: 48px;
    display: flex;
    justify-content: space-between;
    align-items: center;
    gap: 8px;
    padding: 8px 12px;
    border-radius: 8px;
    background: var(--pad-raised);
    cursor: pointer;
  }
  [role='option'][aria-selected='true'] {
    outline: 3px solid var(--pad-accent);
  }
  [role='option'][aria-disabled='true'] {
    opacity: 0.55;
    text-decoration: line-through;
    cursor: not-allowed;
  }
  .lines {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 8px;
  }
  .line {
    display: grid;
    gap: 4px;
    padding: 8px;
    border-radius: 8px;
    background: var(--pad-raised);
  }
  .line .top {
    display: flex;
    flex-wrap: wrap;
    justify-content: space-between;
    gap: 8px;
    font-weight: 600;
  }
  .tag {
    display: inline-block;
    padding: 0 6px;
    border-radius: 4px;
    border: 1px solid currentColor;
    font-size: 0.9rem;
  }
  .tag.addon {
    color: var(--pad-accent);
  }
  .badge.failed {
    color: var(--pad-bad);
  }
  .badge.synced {
    color: var(--pad-ok);
  }
  dl.totals {
    display: grid;
    grid-template-columns: 1fr auto;
    gap: 4px 12px;
    margin: 0;
  }
  dl.totals dt,
  dl.totals dd {
    margin: 0;
  }
  dl.totals .grand {
    font-weight: 700;
    font-size: 1.15rem;
  }
  .shares {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 4px;
  }
  .shares li {
    display: flex;
    justify-content: space-between;
  }
  .change {
    font-size: 1.3rem;
    font-weight: 700;
    color: var(--pad-ok);
  }
  fieldset {
    border: 0;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 6px;
  }
  legend {
    padding: 0;
    margin-bottom: 4px;
    font-weight: 600;
  }
  .option {
    display: flex;
    align-items: center;
    gap: 10px;
    min-height: 44px;
  }
  .option input {
    width: 24px;
    height: 24px;
    min-width: 24px;
    min-height: 24px;
  }
  .option .delta {
    margin-inline-start: auto;
    color: var(--pad-muted);
  }
  dialog {
    width: min(36rem, 100%);
    max-height: 100dvh;
    padding: 0;
    border: 1px solid #5a4c46;
    border-radius: 12px;
    background: var(--pad-surface);
    color: var(--pad-fg);
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 0.6);
  }
  dialog form {
    display: grid;
    gap: 14px;
    padding: 16px;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
