// Seal a bid with the browser's module under Node 20, for tests/trading/test_browser_sealing.py.
// stdin: {project, lot, bidder, price, secret, documents: [{name, base64}], kdf?}
// stdout: {envelope: base64, receiptDigest, salt, manifest}
const path = require("path");
const Module = require("module");
process.env.NODE_PATH = path.resolve(__dirname, "../../node_modules");
Module._initPaths();
const { sealBid } = require("../../trading/static/trading/seal-bid.js");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", async () => {
  const job = JSON.parse(input);
  const documents = job.documents.map((d) => ({ name: d.name, content: Buffer.from(d.base64, "base64") }));
  try {
    const out = await sealBid({ ...job, documents: documents.map((d) => ({ name: d.name, content: new Uint8Array(d.content) })) });
    process.stdout.write(
      JSON.stringify({ ...out, envelope: Buffer.from(out.envelope).toString("base64") })
    );
  } catch (error) {
    process.stdout.write(JSON.stringify({ error: String(error.message || error) }));
  }
});
