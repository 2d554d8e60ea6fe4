/**
 * What the LAN side asks of the uplink: whether to pass device writes straight through to the
 * cloud, and a way to do so. Forwarding is only right when the cloud is reachable AND nothing
 * journaled is still waiting — otherwise a new op would overtake older ones of the same device.
 */
export interface UplinkGate {
  direct(): boolean;
  /**
   * Sends a request to the cloud; `undefined` when the network failed (timeout, refused, reset),
   * which the gate also reports to the connectivity manager. Any HTTP answer, even a 5xx, is
   * returned as it came.
   */
  forward(path: string, init: RequestInit): Promise<Response | undefined>;
}
