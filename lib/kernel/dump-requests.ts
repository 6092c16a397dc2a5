// The request for one service's destination dump, from the service's row in a services dump:
// IPVS has no all-destinations dump, so a listing sends one of these per service.
import { constants } from './constants.js';
import type { NativeRequest, NativeServiceReply } from './native.js';

export function destinationDumpRequest(service: NativeServiceReply): NativeRequest {
  const { family, protocol, address, port, fwmark } = service;
  return {
    command: constants.commands.getDests,
    service: { family, protocol, address, port, fwmark },
  };
}
