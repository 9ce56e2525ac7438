/** The web layer's public surface: what other layers may import (DESIGN.md, Layers). */
export { dashboardHandler } from './serve.ts';
