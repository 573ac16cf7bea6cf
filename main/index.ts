/**
 * Electron main: app lifecycle and windows only. Runs as the user; anything
 * that needs root goes to the helper through the router.
 */
import { app, BrowserWindow, ipcMain, Notification, shell } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBackend } from './api/backend';
import { registerElectronIpc } from './ipc/electron';
import { externalUrl } from './window/external-links';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererUrl = process.env.ELECTRON_RENDERER_URL; // set by `electron-vite dev`
const rendererFile = path.join(here, '../renderer/index.html');

function trusted(url: string): boolean {
  if (rendererUrl && url.startsWith(rendererUrl)) return true;
  return url.startsWith('file://') && decodeURIComponent(new URL(url).pathname) === rendererFile;
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'Berth',
    show: false,
    webPreferences: {
      preload: path.join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  win.once('ready-to-show', () => win.show());
  // Web links leave the app for the browser (no other scheme: external-links.ts);
  // the window never navigates away.
  win.webContents.setWindowOpenHandler(({ url }) => {
    const external = externalUrl(url);
    if (external) void shell.openExternal(external);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e, url) => {
    if (!trusted(url)) e.preventDefault();
  });
  if (rendererUrl) void win.loadURL(rendererUrl);
  else void win.loadFile(rendererFile);
  return win;
}

const backend = createBackend({
  transport: 'electron',
  reconnect: true,
  preferencesPath: path.join(app.getPath('userData'), 'preferences.json'),
  notify: ({ title, body }) => {
    if (Notification.isSupported()) new Notification({ title, body }).show();
  },
});

app.whenReady().then(() => {
  registerElectronIpc(ipcMain, backend, trusted);
  // Connect early so the window's first query finds the helper up.
  void backend.helper.ensure().catch(() => undefined);
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  backend.close(); // the helper and its containers live on
  app.quit();
});
