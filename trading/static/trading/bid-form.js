/*
 * The bid form seals in the browser when it can (WebCrypto and scrypt-js loaded): it packs
 * and seals the price and documents with the secret (seal-bid.js), downloads the receipt file
 * with the salt for the bidder to keep, and sends only the envelope and the receipt digest.
 * Without JavaScript, or without WebCrypto (a page not served over HTTPS), the form posts
 * the bid in clear and the server seals it in the request, as before.
 */
(function () {
  "use strict";
  const form = document.querySelector("form[data-seal-in-browser]");
  if (!form || !window.crypto || !window.crypto.subtle || !window.scrypt || !window.SealBid) {
    return;
  }
  const field = (name) => form.querySelector(`[name="${name}"]`);
  const messages = document.getElementById("seal-messages").dataset;
  const status = form.querySelector("[data-seal-status]");
  const progress = form.querySelector("[data-seal-progress]");
  const failure = form.querySelector("[data-seal-error]");
  status.hidden = false;

  function fail(message) {
    failure.textContent = message;
    failure.hidden = false;
    progress.hidden = true;
    form.querySelector("button[type=submit]").disabled = false;
  }

  function download(name, text) {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  form.addEventListener("submit", async (event) => {
    if (form.dataset.sealed === "yes") return; // the second, real submission
    event.preventDefault();
    failure.hidden = true;
    const price = field("price").value;
    const secret = field("secret").value;
    const files = Array.from(field("documents").files || []);
    if (!/^\s*\d+(\.\d{1,2})?\s*$/.test(price)) return fail(messages.price);
    if (secret.normalize("NFKC").trim().length < 12 || secret !== field("secret_confirmation").value) {
      return fail(messages.secret);
    }
    if (!files.length) return fail(messages.documents);
    form.querySelector("button[type=submit]").disabled = true;
    progress.hidden = false;
    try {
      const documents = [];
      for (const file of files) {
        documents.push({ name: file.name, content: new Uint8Array(await file.arrayBuffer()) });
      }
      const lot = field("lot").value;
      const sealed = await window.SealBid.sealBid({
        project: form.dataset.project,
        lot,
        bidder: form.dataset.bidder,
        price,
        documents,
        secret,
      });
      download(
        `bid-receipt-${sealed.receiptDigest.slice(0, 12)}.json`,
        JSON.stringify(
          { receipt_digest: sealed.receiptDigest, salt: sealed.salt, manifest: sealed.manifest },
          null,
          2
        )
      );
      const transfer = new DataTransfer();
      transfer.items.add(new File([sealed.envelope], "bid.sealed", { type: "application/octet-stream" }));
      field("envelope").files = transfer.files;
      field("receipt_digest").value = sealed.receiptDigest;
      for (const name of ["price", "documents", "secret", "secret_confirmation"]) {
        field(name).disabled = true; // never sent
      }
      form.dataset.sealed = "yes";
      form.submit();
    } catch (error) {
      fail(messages.failed);
    }
  });
})();
