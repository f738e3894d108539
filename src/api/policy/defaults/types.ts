/** One of Neutron's registered policy defaults. */
export interface DefaultRule {
  /** The action or helper rule name: 'create_network', 'get_port:binding:host_id', 'admin_only', ... */
  readonly name: string;
  /** The current default check string. */
  readonly check: string;
  /** The check string Neutron deprecated in favour of `check` (same rule name), when it differs. With
   *  enforce_new_defaults = False (Zed's default) the effective rule is `(check) or (deprecated)`. */
  readonly deprecated?: string;
}
