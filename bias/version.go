package bias

// Version returns the version of the definitions the Service scores with: its Config.Version
// (DefinitionVersion unless the host set its own), which every tag it writes carries. A score
// job names it in its id, so that new definitions score again what the old ones scored. A
// Service not built by New has none: "".
func (s *Service) Version() string {
	if !s.constructed() {
		return ""
	}
	return s.config.Version
}
