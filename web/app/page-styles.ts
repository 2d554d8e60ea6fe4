import { css } from 'lit';

/** What the three role pages share: header, sections, the primary action. */
export const pageStyles = css`
  :host {
    display: grid;
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
  section {
    display: grid;
    gap: 0.75rem;
    padding: 1rem;
    border-radius: var(--hearth-radius, 0.5rem);
    background: var(--hearth-surface, #fff);
  }
  h2 {
    margin: 0;
    font-size: 1.1rem;
  }
  label {
    display: grid;
    gap: 0.25rem;
  }
  select,
  button {
    font: inherit;
    padding: 0.6rem;
    border-radius: var(--hearth-radius, 0.5rem);
  }
  button.primary {
    background: var(--hearth-accent, #3e1e18);
    color: var(--hearth-on-accent, #fff);
    border: 0;
    cursor: pointer;
  }
  button.link {
    background: none;
    border: 0;
    padding: 0;
    color: inherit;
    text-decoration: underline;
    cursor: pointer;
  }
  .muted {
    color: var(--hearth-muted, #6b5a55);
  }
  .error {
    color: var(--hearth-bad, #a12a1b);
  }
`;
