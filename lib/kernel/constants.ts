// The kernel's constants, as the addon read them from <linux/ip_vs.h> at build time.
import { native } from './binding.js';

export const constants = native.constants;
