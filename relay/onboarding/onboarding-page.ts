import { renderSVG } from 'uqr';

// The onboarding page's markup: a manager at a tablet follows a few numbered steps to trust
// the venue CA, then presses "Check". No inline script or style (the page's CSP forbids both):
// the script and style sheet are files the onboarding port serves beside it.

export interface OnboardingView {
  readonly venueId: string;
  /** SHA-256 of the CA, `AB:CD:…`. */
  readonly fingerprint: string;
  readonly caNotAfter: Date;
  /** Where the QR code points: the CA download on an address other devices can reach. */
  readonly downloadUrl: string;
  /** The relay's HTTPS port, for the check and the link onward. */
  readonly httpsPort: number;
}

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch,
  );

/** The fingerprint in groups of four pairs, as a person reads it aloud to compare. */
export function fingerprintGroups(fingerprint: string): string[] {
  const pairs = fingerprint.split(':');
  const groups: string[] = [];
  for (let i = 0; i < pairs.length; i += 4) groups.push(pairs.slice(i, i + 4).join(' '));
  return groups;
}

export function onboardingPage(view: OnboardingView): string {
  const qr = renderSVG(view.downloadUrl, { ecc: 'M', border: 2 });
  const groups = fingerprintGroups(view.fingerprint)
    .map((group) => `<span class="group">${escapeHtml(group)}</span>`)
    .join(' ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Set up this device for Hearth</title>
<link rel="stylesheet" href="/onboarding.css">
<script src="/onboarding.js" defer></script>
</head>
<body>
<main id="onboarding" data-https-port="${view.httpsPort}">
<h1>Set up this device for Hearth</h1>
<p>Hearth works offline on this venue's Wi-Fi once this device trusts the venue's own
security certificate. Do this once per tablet or phone; it takes about two minutes.</p>

<section aria-labelledby="get">
<h2 id="get">1. Get the certificate</h2>
<p>On the device to set up, scan this code with the camera, or tap a download link below.</p>
<figure class="qr">
<div class="code" role="img" aria-label="QR code that downloads the venue certificate">${qr}</div>
<figcaption><a href="/venue-ca.crt">Download the venue certificate</a>
(<a href="/venue-ca.pem">PEM format</a>, for computers that ask for it)</figcaption>
</figure>
<p id="fingerprint-label">Before you trust it, check that the device shows this fingerprint
(called "SHA-256" in the certificate's details):</p>
<p class="fingerprint"><code aria-describedby="fingerprint-label">${groups}</code></p>
<p class="small">Venue ${escapeHtml(view.venueId)}. The certificate is valid until
${escapeHtml(view.caNotAfter.toISOString().slice(0, 10))}.</p>
</section>

<section aria-labelledby="trust">
<h2 id="trust">2. Trust it</h2>
<h3>iPad or iPhone (iPadOS, iOS)</h3>
<ol>
<li>Open the download in Safari and tap <strong>Allow</strong>; "Profile Downloaded" appears.</li>
<li>Open <strong>Settings › General › VPN &amp; Device Management</strong>, tap the Hearth profile, tap <strong>Install</strong> and enter the device passcode.</li>
<li>Open <strong>Settings › General › About › Certificate Trust Settings</strong> and turn on full trust for the Hearth venue certificate.</li>
</ol>
<h3>Android tablet or phone</h3>
<ol>
<li>Download the certificate in Chrome.</li>
<li>Open <strong>Settings › Security › More security settings › Encryption &amp; credentials › Install a certificate › CA certificate</strong> (names vary a little by maker; search Settings for "CA certificate").</li>
<li>Tap <strong>Install anyway</strong>, then choose the downloaded <code>venue-ca.crt</code>.</li>
</ol>
<h3>Chromebook (ChromeOS)</h3>
<ol>
<li>Download the certificate.</li>
<li>Open <strong>chrome://certificate-manager</strong> (or Settings › Privacy and security › Security › Manage certificates), choose <strong>Authorities</strong> or <strong>Local certificates</strong>, and <strong>Import</strong> <code>venue-ca.crt</code>.</li>
<li>Tick <strong>Trust this certificate for identifying websites</strong> and confirm.</li>
</ol>
</section>

<section aria-labelledby="check">
<h2 id="check">3. Check it</h2>
<p>Press the button on the device you set up. If it works, Hearth opens by itself.</p>
<button type="button" id="check-button">Check this device</button>
<p id="check-result" role="status" aria-live="polite"></p>
<p id="check-next" hidden><a id="check-link" href="/">Open Hearth securely</a></p>
</section>
</main>
</body>
</html>
`;
}

/** The page's only script: it asks the HTTPS port whether this device trusts the venue CA. */
export const ONBOARDING_SCRIPT = `'use strict';
(function () {
  var main = document.getElementById('onboarding');
  var button = document.getElementById('check-button');
  var result = document.getElementById('check-result');
  var next = document.getElementById('check-next');
  var link = document.getElementById('check-link');
  var origin = 'https://' + location.hostname + ':' + main.dataset.httpsPort;
  link.href = origin + '/';
  function check() {
    button.disabled = true;
    result.className = '';
    result.textContent = 'Checking…';
    fetch(origin + '/onboarding/trust-check', { cache: 'no-store' })
      .then(function (response) {
        if (!response.ok) throw new Error('status ' + response.status);
        result.className = 'ok';
        result.textContent = 'This device trusts the venue certificate. Opening Hearth…';
        next.hidden = false;
        setTimeout(function () { location.assign(origin + '/'); }, 1500);
      })
      .catch(function () {
        result.className = 'fail';
        result.textContent =
          'This device does not trust the venue certificate yet. Do step 2 again for this ' +
          'device (on iPad: the full-trust switch is easy to miss), close and reopen the ' +
          'browser, then press Check again. Still failing? Make sure the device is on the ' +
          "venue's Wi-Fi.";
        button.disabled = false;
      });
  }
  button.addEventListener('click', check);
})();
`;

/** Dark text on light ground, 4.5:1 or better everywhere; large touch targets. */
export const ONBOARDING_STYLE = `body { margin: 0; font: 1.05rem/1.5 system-ui, sans-serif; color: #1b1b1b; background: #fafafa; }
main { max-width: 44rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
h1 { font-size: 1.7rem; }
h2 { margin-top: 2rem; font-size: 1.35rem; border-top: 1px solid #8a8a8a; padding-top: 1rem; }
h3 { font-size: 1.1rem; margin-bottom: 0.25rem; }
a { color: #0b4f9c; }
.qr { margin: 1rem 0; }
.code { width: 12rem; max-width: 100%; aspect-ratio: 1; background: #fff; }
.code svg { display: block; width: 100%; height: 100%; }
.fingerprint code { font-size: 1.1rem; line-height: 1.8; }
.group { display: inline-block; margin-right: 1.25em; white-space: nowrap; }
.small { font-size: 0.95rem; color: #3d3d3d; }
button { min-height: 44px; padding: 0.5rem 1.25rem; font: inherit; font-weight: 600; color: #fff; background: #3e1e18; border: 0; border-radius: 0.5rem; cursor: pointer; }
button:disabled { opacity: 0.75; cursor: default; }
.ok { color: #17602a; font-weight: 600; }
.fail { color: #a12a1b; font-weight: 600; }
`;
