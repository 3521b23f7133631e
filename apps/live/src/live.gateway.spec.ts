import { liveMessageParser } from './live.gateway';

describe('liveMessageParser', () => {
  it('hands every text frame to the one handler as it came, bad JSON included', () => {
    expect(liveMessageParser('{"type":"subscribe","products":[1]}')).toEqual({
      event: 'frame',
      data: '{"type":"subscribe","products":[1]}',
    });
    expect(liveMessageParser('not json')).toEqual({ event: 'frame', data: 'not json' });
  });

  it('marks a binary frame as null, for an error answer', () => {
    expect(liveMessageParser(Buffer.from('{}'))).toEqual({ event: 'frame', data: null });
  });
});
