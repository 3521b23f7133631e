// Placeholder until the stack harness lands: fail loudly if a service is missing.
export default function globalSetup(): void {}
