module.exports = async function globalTeardown() {
  const child = globalThis.__EMBEDDED_PG__;
  if (!child) return;
  globalThis.__EMBEDDED_PG__ = undefined;
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
  child.stdin.write('exit\n');
  await exited;
};
