// Counts the immediates and timers that run while some work is under way: the structural test of
// "the work turns the event loop" (a change that makes it one synchronous block leaves both at
// their first run), with no timing threshold.
export interface LoopWatch {
  stop: () => { immediates: number; timers: number };
}

export function loopWatch(): LoopWatch {
  let immediates = 0;
  let timers = 0;
  let running = true;
  const immediate = () => {
    immediates++;
    if (running) setImmediate(immediate);
  };
  const timer = () => {
    timers++;
    if (running) setTimeout(timer, 0);
  };
  setImmediate(immediate);
  setTimeout(timer, 0);
  return {
    stop: () => {
      running = false;
      return { immediates, timers };
    },
  };
}
