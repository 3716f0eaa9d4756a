/*
 * Sealing a bid in the bidder's browser: the same bid package and envelope, byte for byte in
 * format, as portal/sealing.py (read that module's docstring for the formats). The price, the
 * documents and the secret never leave this page in the clear; the server receives the
 * envelope and the receipt digest only, and checks both when the bid is opened.
 *
 * AES-256-GCM and SHA-256 come from WebCrypto; scrypt (n=2^15, r=8, p=1, as the platform's
 * default) from scrypt-js (npm, copied into our static files by `make assets`). The SM4/SM3
 * suite is not offered here: WebCrypto has neither.
 *
 * Works in a browser (window.SealBid) and in Node 20 (require), where the tests run it.
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) {
    module.exports = factory(require("scrypt-js"), globalThis.crypto);
  } else {
    root.SealBid = factory(root.scrypt, root.crypto);
  }
})(typeof self !== "undefined" ? self : this, function (scryptLib, webcrypto) {
  "use strict";

  const SUITE = "AES-256-GCM/SHA-256";
  const KDF = { n: 32768, r: 8, p: 1 };
  const encoder = new TextEncoder();
  const bytes = (text) => encoder.encode(text);

  function concat(parts) {
    const length = parts.reduce((sum, part) => sum + part.length, 0);
    const out = new Uint8Array(length);
    let offset = 0;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  function u32(value) {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, value, false);
    return out;
  }

  // Length-prefixed concatenation (sealing._frame).
  const frame = (...parts) => concat(parts.flatMap((part) => [u32(part.length), part]));

  // Canonical JSON (sealing._canonical_json): sorted keys, no spaces, UTF-8, no floats.
  function canonical(value) {
    if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
    if (value !== null && typeof value === "object") {
      return (
        "{" +
        Object.keys(value)
          .sort()
          .map((key) => JSON.stringify(key) + ":" + canonical(value[key]))
          .join(",") +
        "}"
      );
    }
    if (typeof value === "number" && !Number.isInteger(value)) {
      throw new Error("no floats in a canonical document");
    }
    return JSON.stringify(value);
  }

  const hex = (buffer) =>
    Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");

  function base64(data) {
    let binary = "";
    for (let i = 0; i < data.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, data.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  }

  const CRC_TABLE = (() => {
    const table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
    return table;
  })();

  function crc32(data) {
    let crc = 0xffffffff;
    for (let i = 0; i < data.length; i++) crc = CRC_TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
  }

  const sha256 = async (data) => new Uint8Array(await webcrypto.subtle.digest("SHA-256", data));
  const random = (length) => webcrypto.getRandomValues(new Uint8Array(length));

  async function gcm(key, nonce, data, aad) {
    const imported = await webcrypto.subtle.importKey("raw", key, "AES-GCM", false, ["encrypt"]);
    const sealed = await webcrypto.subtle.encrypt(
      { name: "AES-GCM", iv: nonce, additionalData: aad, tagLength: 128 },
      imported,
      data
    );
    return new Uint8Array(sealed); // ciphertext ‖ tag, as sealing._gcm_encrypt
  }

  // "4321000", "4321000.5" → "4321000.00", "4321000.50"; anything else is refused.
  function normalisePrice(text) {
    const match = /^\s*(\d+)(?:\.(\d{1,2}))?\s*$/.exec(String(text));
    if (!match) throw new Error("price");
    const whole = match[1].replace(/^0+(?=\d)/, "");
    const cents = (match[2] || "").padEnd(2, "0");
    if (whole === "0" && cents === "00") throw new Error("price");
    return whole + "." + cents;
  }

  // sealing._normalize_secret: NFKC, surrounding spaces dropped.
  const normaliseSecret = (secret) => bytes(secret.normalize("NFKC").trim());

  /**
   * Seal one bid. documents: [{name, content: Uint8Array}]. Returns the envelope bytes, the
   * receipt digest, the receipt salt (hex) and the completed manifest — what the bidder keeps.
   */
  async function sealBid({ project, lot, bidder, price, documents, secret, kdf }) {
    const params = kdf || KDF;
    const entries = [];
    for (const doc of documents) {
      entries.push({ name: doc.name, size: doc.content.length, digest: hex(await sha256(doc.content)) });
    }
    const manifest = {
      project: String(project),
      lot: String(lot),
      bidder: String(bidder),
      price: normalisePrice(price),
      currency: "CNY",
      digest_algorithm: "sha256",
      documents: entries,
    };
    const manifestBytes = bytes(canonical(manifest));
    const salt = random(16);
    const pkg = concat([
      bytes("BIDPKG"),
      new Uint8Array([1, salt.length]),
      salt,
      u32(manifestBytes.length),
      manifestBytes,
      ...documents.map((doc) => doc.content),
    ]);
    const receiptDigest = hex(
      await sha256(concat([bytes("sealed-bid/v1/receipt"), new Uint8Array([salt.length]), salt, manifestBytes]))
    );

    const aad = bytes(`bid|${project}|${lot}|${bidder}`);
    const dek = random(32);
    const dataNonce = random(12);
    const ciphertext = await gcm(dek, dataNonce, pkg, frame(bytes("sealed-bid/v1/data"), bytes(SUITE), aad));
    const kdfSalt = random(16);
    const kek = await scryptLib.scrypt(normaliseSecret(secret), kdfSalt, params.n, params.r, params.p, 32);
    const keyNonce = random(12);
    const wrappedKey = await gcm(
      kek,
      keyNonce,
      dek,
      frame(bytes("sealed-bid/v1/key-wrap"), bytes(SUITE), bytes("scrypt"))
    );
    const header = bytes(
      canonical({
        suite: SUITE,
        kdf: "scrypt",
        kdf_params: { n: params.n, r: params.r, p: params.p },
        kdf_salt: base64(kdfSalt),
        key_nonce: base64(keyNonce),
        wrapped_key: base64(wrappedKey),
        data_nonce: base64(dataNonce),
      })
    );
    const body = concat([bytes("SEALBID"), new Uint8Array([1]), u32(header.length), header, ciphertext]);
    const envelope = concat([body, u32(crc32(body))]);
    return { envelope, receiptDigest, salt: hex(salt), manifest };
  }

  return { sealBid, normalisePrice, canonical, crc32 };
});
