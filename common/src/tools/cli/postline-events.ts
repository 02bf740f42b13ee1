#!/usr/bin/env node
import { buildProgram } from './program';
import { describeFailure } from './failures';

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    const { message, exitCode } = describeFailure(err);
    if (message) process.stderr.write(`postline-events: ${message}\n`);
    process.exitCode = exitCode;
  }
}

void main(process.argv);
