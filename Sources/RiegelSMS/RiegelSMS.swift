/// SMS gateways: the module namespace (gateways live in their own files).
public enum RiegelSMS {}
