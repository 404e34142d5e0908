export { authenticate } from './authenticate'
