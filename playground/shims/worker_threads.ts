// node:worker_threads for the playground's worker: only the ONNX file writer starts a
// thread, and only for tens of megabytes of weights, which the playground never writes.
const unavailable = (): never => {
  throw new Error("the playground does not write weight files");
};

export class Worker {
  constructor() {
    unavailable();
  }
  unref(): void {}
  terminate(): Promise<number> {
    return Promise.resolve(0);
  }
}

export class MessageChannel {
  constructor() {
    unavailable();
  }
}

export function receiveMessageOnPort(): never {
  return unavailable();
}
