'use strict';
// The main process solves. cubie compiles (host compiler or NVRTC) and runs the
// batch on native threads, so awaiting a solve keeps the event loop free: the
// window stays responsive while progress goes to the renderer over IPC.
const path = require('path');
const { app, BrowserWindow, ipcMain } = require('electron');
const { solveSweep } = require('./solve');

let solving;

ipcMain.handle('solve', async (event, runs) => {
  if (solving) solving.abort(); // a new request cancels the previous one (between chunks)
  const controller = new AbortController();
  solving = controller;
  const sender = event.sender;
  try {
    const { zeta, result } = await solveSweep(Math.min(Math.max(1, Math.floor(Number(runs)) || 1), 65536), {
      signal: controller.signal,
      onProgress: ({ done, total }) => {
        if (!sender.isDestroyed()) sender.send('progress', { done, total });
      },
      // Already the default in the main process; spelled out so that the folder is plain to see.
      cacheDir: path.join(app.getPath('userData'), 'cubie-cache'),
    });
    // Only what the plot needs crosses to the renderer: eight runs, evenly spaced.
    const n = Math.min(8, zeta.length);
    const shown = Array.from({ length: n }, (_, i) => (n === 1 ? 0 : Math.round((i * (zeta.length - 1)) / (n - 1))));
    return {
      time: Array.from(result.time),
      series: shown.map((run) => ({ zeta: zeta[run], x: Array.from(result.trajectory('x', run)) })),
      failed: result.status.filter((s) => s !== 0).length,
      kernel: result.kernel,
    };
  } finally {
    if (solving === controller) solving = undefined;
  }
});

function createWindow() {
  const win = new BrowserWindow({
    width: 900,
    height: 600,
    webPreferences: { preload: path.join(__dirname, 'preload.js'), contextIsolation: true, nodeIntegration: false },
  });
  win.loadFile(path.join(__dirname, 'index.html'));
}

app.whenReady().then(() => {
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
