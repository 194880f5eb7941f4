import { duplicateKeys } from './duplicate-keys';

describe('duplicateKeys', () => {
  it('finds a key repeated in the same object, at any depth', () => {
    expect(duplicateKeys('{"a":1,"b":{"c":2,"c":3},"a":"x"}')).toEqual(['b.c', 'a']);
    expect(duplicateKeys('{"l":[{"k":1,"k":2},{"k":3}]}')).toEqual(['l[0].k']);
  });

  it('accepts the same key in different objects, and escaped or look-alike keys', () => {
    expect(duplicateKeys('{"a":{"k":1},"b":{"k":1},"k":[1,true,null,"}"]}')).toEqual([]);
    expect(duplicateKeys('{"a\\"b":1,"a":2,"x":"\\u0041","y":-1.5e3}')).toEqual([]);
    expect(duplicateKeys('{"\\u0061":1,"a":2}')).toEqual(['a']);
  });

  it('throws on text that is not JSON', () => {
    expect(() => duplicateKeys('{"a":1')).toThrow(SyntaxError);
    expect(() => duplicateKeys('{"a":1} x')).toThrow(SyntaxError);
  });
});
