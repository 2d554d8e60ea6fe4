import { css } from 'lit';
import { floorStyles } from './floor-styles.ts';

// The floor page's frame around its panels: the header with who is signed in, the views'
// tab bar (a row that scrolls sideways on a phone), and the table view's two columns on a
// tablet (pad and kitchen progress), one on a phone.
export const floorPageStyles = [
  floorStyles,
  css`
    :host > *,
    .view > * {
      /* Grid items may shrink below their content: wide tables scroll inside their panel. */
      min-width: 0;
    }
    :host {
      min-height: 100%;
      align-content: start;
      border-radius: 0;
    }
    header {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem 1rem;
      align-items: center;
    }
    h1 {
      margin: 0;
      font-size: 1.3rem;
      flex: 1;
    }
    .who {
      color: var(--floor-muted);
    }
    header button,
    nav button,
    .table-head button,
    .covers button,
    .panel button {
      padding: 0 0.9rem;
      border: 0.1rem solid var(--floor-line);
      background: var(--floor-raised);
      color: var(--floor-fg);
      cursor: pointer;
      font-weight: 600;
    }
    nav {
      display: flex;
      gap: 0.4rem;
      overflow-x: auto;
      padding-bottom: 0.25rem;
    }
    nav button {
      flex: 0 0 auto;
      white-space: nowrap;
    }
    nav button[aria-current='page'] {
      background: var(--floor-accent);
      color: var(--floor-accent-fg);
      border-color: var(--floor-accent);
    }
    .count {
      display: inline-block;
      min-width: 1.5rem;
      padding: 0 0.3rem;
      border-radius: 1rem;
      background: var(--floor-bad);
      color: #1a0500;
      font-weight: 700;
    }
    .table-head {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem 1rem;
      align-items: center;
    }
    .covers {
      display: flex;
      gap: 0.5rem;
      align-items: center;
    }
    .table-view {
      display: grid;
      gap: 0.75rem;
      grid-template-columns: minmax(0, 2fr) minmax(16rem, 1fr);
      align-items: start;
    }
    @media (max-width: 52rem) {
      .table-view {
        grid-template-columns: minmax(0, 1fr);
      }
    }
    .panel {
      display: grid;
      gap: 0.5rem;
      padding: 0.75rem;
      border-radius: 0.5rem;
      background: var(--floor-surface);
    }
    .muted {
      color: var(--floor-muted);
    }
    .error {
      color: var(--floor-bad);
    }
  `,
];
