import { FAST_ENV, startTestServer } from '@strato/testing/server';
const s = await startTestServer({}, { ...FAST_ENV, STRATO_MOCK_BOOT_DELAY: '300', STRATO_IAAS_PROVIDERS: 'mock=mock,kubernetes=kubernetes,process=process' });
console.log(s.url);
process.on('SIGTERM', async () => { await s.stop(); process.exit(0); });
setInterval(() => {}, 1 << 30);
