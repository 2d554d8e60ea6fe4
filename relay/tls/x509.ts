// The one way in to @peculiar/x509: it resolves its ASN.1 classes through tsyringe, which
// needs a Reflect polyfill loaded first, and it signs with the WebCrypto it is given.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(globalThis.crypto);

export { x509 };
