import { describe, expect, it } from 'vitest';
import { externalUrl } from './external-links';

describe('externalUrl: what the window gives to shell.openExternal', () => {
  it('opens web pages and mail', () => {
    expect(externalUrl('https://github.com/berth/berth')).toBe('https://github.com/berth/berth');
    expect(externalUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/');
    expect(externalUrl('HTTPS://Example.COM/a b')).toBe('https://example.com/a%20b');
    expect(externalUrl('mailto:someone@example.com')).toBe('mailto:someone@example.com');
  });

  it('refuses every other scheme, whatever its spelling', () => {
    for (const url of [
      'file:///etc/passwd',
      'file://host/share/x.desktop',
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      'smb://attacker/share',
      'nfs://attacker/export',
      'sftp://attacker/x',
      'ftp://example.com/x',
      'ssh://root@host',
      'telnet://host',
      'ms-msdt:/id PCWDiagnostic',
      'steam://run/1',
      'vscode://file/etc/passwd',
      'x-scheme-handler:foo',
      'apt:sl',
      'chrome://settings',
      'about:blank',
      'blob:https://example.com/uuid',
      'ws://example.com/',
      'berth://x',
    ]) {
      expect(externalUrl(url), url).toBeNull();
    }
  });

  it('refuses what does not parse, has no host, or carries credentials', () => {
    for (const url of [
      '',
      'not a url',
      '//example.com/relative',
      '/etc/passwd',
      ' \tfile:///etc/passwd',
      'https://',
      'https://user:pass@example.com/',
      'https://google.com@evil.example/',
    ]) {
      expect(externalUrl(url), url).toBeNull();
    }
  });
});
