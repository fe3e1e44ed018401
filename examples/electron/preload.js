'use strict';
// The renderer's only door to the main process: start a solve, hear its progress.
const { contextBridge, ipcRenderer } = require('electron');

contextBridge.exposeInMainWorld('cubie', {
  solve: (runs) => ipcRenderer.invoke('solve', runs),
  onProgress: (listener) => {
    const handler = (_event, progress) => listener(progress);
    ipcRenderer.on('progress', handler);
    return () => ipcRenderer.removeListener('progress', handler);
  },
});
