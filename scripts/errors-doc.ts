// Writes docs/errors.md, the table of strato's error codes, from the catalogue of @strato/model
// (packages/model/src/error-catalogue.ts). `npm run docs:errors`; a test fails when the file is stale.
import { writeFileSync, mkdirSync } from 'node:fs';
import { errorCatalogueMarkdown } from '@strato/model';

const out = new URL('../docs/errors.md', import.meta.url);
mkdirSync(new URL('.', out), { recursive: true });
writeFileSync(out, errorCatalogueMarkdown());
console.log(`wrote ${out.pathname}`);
