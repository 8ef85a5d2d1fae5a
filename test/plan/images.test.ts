import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLesson } from '../../src/cli/lessons.js';
import { imageOf, imagesNeeded } from '../../src/plan/images.js';
import type { Lesson, Step } from '../../src/types.js';
import { root } from '../helpers.js';

function lessonOf(steps: Partial<Step>[], images?: string[]): Lesson {
  return {
    name: 'x',
    path: 'x.md',
    settings: { requires: ['docker'], timeoutMs: 1000, prompts: [], normalize: { disable: [], rules: [] }, images },
    requires: ['docker'],
    inferred: [],
    sections: [],
    steps: steps.map((step, i) => ({ id: `s-${i}`, kind: 'command', line: i + 1, ...step }) as Step),
  };
}

describe('the images a lesson pulls', () => {
  it('are none for the lessons that use only the stand-in and what they build', () => {
    expect(imagesNeeded(loadLesson(join(root, 'lessons/layers.md')))).toEqual([]);
    expect(imagesNeeded(loadLesson(join(root, 'lessons/registry.md')))).toEqual([]);
  });

  it('are those first-containers runs and declares', () => {
    expect(imagesNeeded(loadLesson(join(root, 'lessons/first-containers.md')))).toEqual(['ubuntu', 'jpetazzo/clock']);
  });

  it('skip the options of docker run, whatever value they take', () => {
    expect(imageOf('docker run -d --name web -p 8080:80 -e A=b --rm nginx:1.25 nginx -g x')).toBe('nginx:1.25');
    expect(imageOf('docker container run -it --init ubuntu bash')).toBe('ubuntu');
    expect(imageOf('docker image pull redis')).toBe('redis');
    expect(imageOf('docker ps -a')).toBeUndefined();
  });

  it('come from Dockerfiles too, without build stages, registries of their own or the stand-in', () => {
    const lesson = lessonOf([
      { kind: 'file', path: 'Dockerfile', content: 'FROM golang:1.22 AS build\nFROM build\nFROM alpine\nFROM quay.io/x/y\n' },
      { command: 'docker run --rm localhost:5000/me/app' },
      { command: 'docker build -t me/app .\ndocker run me/app' },
      { command: 'docker run python:3 python -V' },
    ], ['redis']);
    expect(imagesNeeded(lesson)).toEqual(['redis', 'python:3', 'golang:1.22']);
  });
});
