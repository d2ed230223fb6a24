"""Live chat over socket.io: namespaces /customer, /agent and /supervisor."""
