import { css } from 'lit';

/** The guest page's own layout: one column that never grows past the phone, the basket bar. */
export const guestPageStyles = css`
  :host {
    display: grid;
    /* minmax: a wide child (the category row) scrolls inside, never widens the page. */
    grid-template-columns: minmax(0, 1fr);
    gap: 1rem;
  }
  header {
    display: flex;
    justify-content: space-between;
    align-items: baseline;
    gap: 1rem;
  }
  h1 {
    margin: 0;
    font-size: 1.4rem;
  }
  header p {
    margin: 0;
    font-weight: 600;
  }
  .panel {
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    gap: 0.75rem;
    padding: 1rem;
    border-radius: var(--hearth-radius, 0.5rem);
    background: var(--hearth-surface, #fff);
  }
  .panel p {
    margin: 0;
  }
  .panel.alert {
    border-left: 0.4rem solid var(--hearth-bad, #a12a1b);
  }
  .menu {
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    gap: 0.5rem;
  }
  .bar {
    position: sticky;
    bottom: 0;
    padding: 0.5rem 0 calc(0.5rem + env(safe-area-inset-bottom, 0px));
    background: var(--hearth-bg, #fbf7f4);
  }
  .bar button {
    width: 100%;
    min-height: 52px;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
`;
