import { css } from 'lit';

/** `<hearth-booking-form>`'s look: fields a thumb can hit (44 px and more), errors in red words. */
export const bookingFormStyles = css`
  :host {
    display: grid;
    gap: 0.9rem;
    color: var(--hearth-fg, #231411);
  }
  form,
  dl {
    display: grid;
    gap: 0.9rem;
    margin: 0;
  }
  .row {
    display: grid;
    grid-template-columns: 1fr 1fr;
    gap: 0.75rem;
  }
  label {
    display: grid;
    gap: 0.25rem;
    font-weight: 600;
  }
  input,
  textarea,
  button {
    font: inherit;
    min-height: 2.75rem;
    box-sizing: border-box;
    border-radius: var(--hearth-radius, 0.5rem);
  }
  input,
  textarea {
    width: 100%;
    padding: 0.5rem 0.6rem;
    border: 1px solid var(--hearth-muted, #6b5a55);
    background: #fff;
    color: inherit;
    font-weight: 400;
  }
  textarea {
    min-height: 4.5rem;
  }
  [aria-invalid='true'] {
    border: 2px solid var(--hearth-bad, #a12a1b);
  }
  .field-error {
    margin: 0;
    color: var(--hearth-bad, #a12a1b);
    font-weight: 400;
  }
  button {
    min-height: 3rem;
    padding: 0.6rem 1rem;
    border: 0;
    background: var(--hearth-accent, #3e1e18);
    color: #fff;
    font-weight: 600;
    cursor: pointer;
  }
  button[aria-disabled='true'] {
    cursor: progress;
  }
  :focus-visible {
    outline: 3px solid var(--hearth-fg, #231411);
    outline-offset: 2px;
  }
  .notice {
    margin: 0;
    padding: 0.6rem 0.75rem;
    border-radius: var(--hearth-radius, 0.5rem);
    background: #f3ece8;
  }
  .notice.error {
    background: #fbeceb;
    color: var(--hearth-bad, #a12a1b);
  }
  .notice:empty {
    display: none;
  }
  dt {
    font-weight: 600;
  }
  dd {
    margin: 0 0 0.4rem;
  }
`;
