import { z } from 'zod';

/**
 * The environment Quire reads, with its defaults. `loadConfig` is called once, by server.ts;
 * everything else receives the parsed `Config` as an argument.
 */
const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  POSTS_DIR: z.string().min(1).default('./posts'),
  DATABASE_PATH: z.string().min(1).default('./data/quire.sqlite'),
  AUTHOR_PASSWORD: z
    .string()
    .min(8, 'must be at least 8 characters')
    .max(1024, 'must be at most 1024 characters')
    .optional(),
  SITE_TITLE: z.string().trim().min(1).max(100).default('Quire'),
  SITE_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:3000'),
  // Only behind a reverse proxy may X-Forwarded-For be believed; the value is Express's `trust proxy`.
  TRUST_PROXY: z.union([booleanFlag, z.string().regex(/^[\w.:/, -]+$/)]).default(false),
});

export interface Config {
  port: number;
  host: string;
  postsDir: string;
  databasePath: string;
  /** Undefined when the author did not choose one: server.ts then generates and prints one. */
  authorPassword: string | undefined;
  siteTitle: string;
  siteUrl: string;
  trustProxy: boolean | string;
  /** Cookies get the Secure flag when the public address is https. */
  secureCookies: boolean;
}

export class ConfigError extends Error {}

/** Parses the environment, or throws one ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  const e = parsed.data;
  const siteUrl = e.SITE_URL.replace(/\/+$/, '');
  return {
    port: e.PORT,
    host: e.HOST,
    postsDir: e.POSTS_DIR,
    databasePath: e.DATABASE_PATH,
    authorPassword: e.AUTHOR_PASSWORD,
    siteTitle: e.SITE_TITLE,
    siteUrl,
    trustProxy: e.TRUST_PROXY,
    secureCookies: siteUrl.startsWith('https:'),
  };
}
