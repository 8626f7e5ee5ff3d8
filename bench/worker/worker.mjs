// A llama.cpp worker for bench/worker-start.sh: loads a GGUF model on the CPU with the prebuilt llama.cpp binary
// that node-llama-cpp ships for linux-x64 (its postinstall is skipped: no build, no download), prints one line
// "ready ..." once the model is loaded, then keeps running until it is stopped (or exits at once with --exit).
// Usage: node bench/worker/worker.mjs MODEL.gguf [--exit]
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

const [modelPath, ...flags] = process.argv.slice(2);
if (!modelPath) {
    console.error("usage: node worker.mjs MODEL.gguf [--exit]");
    process.exit(2);
}
try {
    const llama = await getLlama({gpu: false, build: "never", progressLogs: false, logLevel: LlamaLogLevel.error});
    // mmap on, as llama.cpp does by default: the weights are the page cache's pages, prefetched with MAP_POPULATE.
    const model = await llama.loadModel({modelPath, useMmap: true, gpuLayers: 0});
    console.log(`ready ${model.size} bytes, ${model.trainContextSize} context, after ${performance.now().toFixed(0)} ms`);
} catch (error) {
    console.error(`error: ${error?.message ?? error}`);
    process.exit(1);
}
if (flags.includes("--exit")) {
    process.exit(0);
}
setInterval(() => {}, 1 << 30); // hold the model until stopped
