import { existsSync } from 'node:fs';
import { AppConfig } from './app-config.js';

/**
 * Validates the configuration before the application is assembled, so a bad setting stops the process with
 * one clear message instead of a dependency-injection stack trace. Reads `.env` the way ConfigModule does
 * (variables already set in the environment win).
 */
export function preflightConfig(envFile = '.env'): AppConfig {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return AppConfig.fromEnv(process.env);
}
