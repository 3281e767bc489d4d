/** Where the customer file lives: --db, else $CUSTFILE_DB, else the platform's data folder. */
import path from 'node:path';

export function defaultDbPath(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): string {
  if (platform === 'win32') {
    const base = env.LOCALAPPDATA ?? env.APPDATA ?? path.join(home, 'AppData', 'Local');
    return path.join(base, 'custfile', 'customers.db');
  }
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'custfile', 'customers.db');
  const xdg = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(home, '.local', 'share');
  return path.join(xdg, 'custfile', 'customers.db');
}

export function resolveDbPath(flag: string | undefined, env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): string {
  if (flag !== undefined && flag !== '') return path.resolve(flag);
  if (env.CUSTFILE_DB) return path.resolve(env.CUSTFILE_DB);
  return defaultDbPath(env, platform, home);
}
