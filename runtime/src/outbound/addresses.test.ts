import { describe, expect, it } from 'vitest';
import { AllowListError, allowsAddress, allowsHostName, parseAllowList, refusedRange } from './addresses.ts';

const none = parseAllowList('');

describe('address classification', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    // IPv4 carried in IPv6 is judged as the IPv4 address it carries.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::7f00:1', 'rfc6052'],
    ['2002:7f00:1::', '6to4'],
    ['not an address', 'invalid'],
  ])('%s is refused as %s', (address, range) => {
    expect(refusedRange(none, address)).toBe(range);
  });

  it.each(['8.8.8.8', '93.184.216.34', '2606:4700::1111', '::ffff:8.8.8.8'])('%s is public', (address) => {
    expect(refusedRange(none, address)).toBeNull();
  });
});

describe('OPSLOOM_OUTBOUND_ALLOW', () => {
  const list = parseAllowList(
    ' 127.0.0.1, 10.0.0.0/8 ,fd00::/8, [::1], cicd.corp.example, *.svc.cluster.local ',
  );

  it('allows listed addresses and networks, nothing next to them', () => {
    expect(refusedRange(list, '127.0.0.1')).toBeNull();
    expect(refusedRange(list, '::ffff:127.0.0.1')).toBeNull();
    expect(refusedRange(list, '127.0.0.2')).toBe('loopback');
    expect(refusedRange(list, '10.200.1.1')).toBeNull();
    expect(refusedRange(list, '192.168.0.1')).toBe('private');
    expect(refusedRange(list, 'fd00::5')).toBeNull();
    expect(refusedRange(list, '::1')).toBeNull();
    expect(refusedRange(list, '169.254.169.254')).toBe('linkLocal');
    expect(allowsAddress(list, 'x')).toBe(false);
  });

  it('allows listed host names and names under a wildcard', () => {
    expect(allowsHostName(list, 'cicd.corp.example')).toBe(true);
    expect(allowsHostName(list, 'CICD.corp.example.')).toBe(true);
    expect(allowsHostName(list, 'evil-cicd.corp.example')).toBe(false);
    expect(allowsHostName(list, 'api.svc.cluster.local')).toBe(true);
    expect(allowsHostName(list, 'svc.cluster.local')).toBe(false);
    expect(allowsHostName(list, 'svc.cluster.local.evil.example')).toBe(false);
  });

  it.each(['10.0.0.0/33', '999.1.1.1', 'http://x', 'a b', '::zz', 'fd00::/200'])(
    'refuses the entry %s',
    (entry) => {
      expect(() => parseAllowList(entry)).toThrow(AllowListError);
      expect(() => parseAllowList(entry)).toThrow(entry);
    },
  );
});
