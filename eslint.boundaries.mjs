// The dependency rule between the top-level modules of src/, as zones for import-x/no-restricted-paths.
// Each module may import only the modules listed for it. Every allowed edge points down one fixed order
// (platform, identity, conversation, {runtime, live, oversight, delivery}, operations, a2a, cli), so no cycle between
// modules can form. src/*.ts (app module, app setup, main) is the root: no module imports it.

const FEATURES = ['runtime', 'live', 'oversight', 'delivery'];

/** Top-level module -> the other top-level modules it may import. */
export const ALLOWED_IMPORTS = {
  platform: [],
  identity: ['platform'],
  conversation: ['platform', 'identity'],
  runtime: ['platform', 'identity', 'conversation'],
  live: ['platform', 'identity', 'conversation'],
  oversight: ['platform', 'identity', 'conversation'],
  delivery: ['platform', 'identity', 'conversation'],
  operations: ['platform', 'identity', 'conversation', ...FEATURES],
  a2a: ['platform', 'identity', 'conversation', ...FEATURES, 'operations'],
  cli: ['platform', 'identity', 'conversation', ...FEATURES, 'operations', 'a2a'],
};

const MODULES = Object.keys(ALLOWED_IMPORTS);
const ROOT_FILES = 'src/*.ts';

const layerZones = MODULES.map((name) => {
  const allowed = ALLOWED_IMPORTS[name];
  const forbidden = MODULES.filter((other) => other !== name && !allowed.includes(other));
  return {
    target: `src/${name}/**`,
    from: [...forbidden.map((other) => `src/${other}/**`), ROOT_FILES],
    message: `src/${name} may import only ${allowed.length ? allowed.map((m) => `src/${m}`).join(', ') : 'libraries'}.`,
  };
});

// A module's repositories are its own: other modules go through its services (or ConversationReader).
const repositoryZones = MODULES.map((name) => ({
  target: [`src/!(${name})/**`, ROOT_FILES],
  from: `src/${name}/{store/**,**/*.repository.ts}`,
  message: `Repositories of src/${name} are private to it: use its services${name === 'conversation' ? ' or ConversationReader' : ''}.`,
}));

// Prisma's generated client (and its types) stays below the repositories and the database platform.
const prismaZone = {
  target: ['src/!(platform|generated)/**/!(*.repository).ts', ROOT_FILES],
  from: ['src/generated/**'],
  message: 'Only repositories and src/platform touch the Prisma client.',
};

export const boundaryZones = [...layerZones, ...repositoryZones, prismaZone];
