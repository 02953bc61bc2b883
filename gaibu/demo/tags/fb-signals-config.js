/* Stand-in for Meta's per-pixel configuration script (signals/config). Does nothing. */
var fbq = w.fbq;
if (fbq) { fbq.__configLoaded = true; }
