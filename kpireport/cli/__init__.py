"""The commands: parse the command line, call the stages, print in Japanese. The only layer that takes the
workspace lock and decides about worker processes (kpireport.runtime)."""
