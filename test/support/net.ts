// Network set-up shared by kernel tests: an interface with addresses so that the kernel accepts
// direct-routing and tunnel destinations (it checks that a route to the real server exists).
import { sh } from './sh.js';

export function addLan(name = 'lan0'): void {
  sh('ip', 'link', 'add', name, 'type', 'dummy');
  sh('ip', 'address', 'add', '192.168.8.10/24', 'dev', name);
  sh('ip', 'address', 'add', '2001:db8:8::10/64', 'dev', name, 'nodad');
  sh('ip', 'link', 'set', name, 'up');
}
